// First: it must configure zod before any module builds a schema.
import "./no-eval";
import { render } from "preact";
import { language, setLanguage, t } from "./i18n";
import "./styles.css";
import "./meeting.css";
import "./moderation.css";
import "./panels.css";
import { Home } from "./views/Home";
import { Login } from "./views/Login";
import { Organiser } from "./views/Organiser";
import { Privacy } from "./views/Privacy";
import { RoomPage } from "./views/RoomPage";

function LanguageSwitch() {
  const other = language.value === "de" ? "en" : "de";
  return (
    <button type="button" class="link" lang={other} onClick={() => setLanguage(other)}>
      {t("lang.switch")}
    </button>
  );
}

function Page() {
  const path = window.location.pathname;
  const room = /^\/r\/([A-Za-z0-9_-]{22,64})$/.exec(path);
  if (room?.[1]) return <RoomPage roomId={room[1]} />;
  if (path === "/login") return <Login />;
  if (path === "/my") return <Organiser />;
  if (path === "/privacy") return <Privacy />;
  return <Home />;
}

function App() {
  return (
    <div class="app" lang={language.value}>
      <header>
        <a href="/" class="brand">
          Plenum
        </a>
        <LanguageSwitch />
      </header>
      <Page />
    </div>
  );
}

document.documentElement.lang = language.value;
const root = document.getElementById("app");
if (root) render(<App />, root);
