import { render } from "preact";
import { language, setLanguage, t } from "./i18n";
import "./styles.css";
import "./meeting.css";
import "./panels.css";
import { Home } from "./views/Home";
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

function App() {
  const room = /^\/r\/([A-Za-z0-9_-]{22,64})$/.exec(window.location.pathname);
  return (
    <div class="app" lang={language.value}>
      <header>
        <a href="/" class="brand">
          Plenum
        </a>
        <LanguageSwitch />
      </header>
      {room?.[1] ? (
        <RoomPage roomId={room[1]} />
      ) : window.location.pathname === "/privacy" ? (
        <Privacy />
      ) : (
        <Home />
      )}
    </div>
  );
}

document.documentElement.lang = language.value;
const root = document.getElementById("app");
if (root) render(<App />, root);
