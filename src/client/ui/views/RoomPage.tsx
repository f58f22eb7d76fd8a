import { useEffect, useState } from "preact/hooks";
import { readFragment, withE2ee } from "../../sdk/links";
import { Meeting } from "../../sdk/meeting";
import { t } from "../i18n";
import { useMeeting } from "../use-meeting";
import { Left } from "./Left";
import { LobbyWait } from "./LobbyWait";
import { MeetingView } from "./MeetingView";
import { PreJoin } from "./PreJoin";

/**
 * The moderator secret arrives in the link's fragment. It is kept for this tab
 * only and removed from the address bar, so the link people copy from there is
 * the plain participant link, which keeps the fragment's encryption commitment
 * (`#e2ee=1`: a meeting served unencrypted is refused).
 */
function readLink(roomId: string): { moderatorToken?: string; e2ee: boolean } {
  const key = `plenum.moderator.${roomId}`;
  const { moderatorToken, e2ee } = readFragment(window.location.hash);
  if (moderatorToken) {
    sessionStorage.setItem(key, moderatorToken);
    history.replaceState(null, "", `${window.location.pathname}${e2ee ? "#e2ee=1" : ""}`);
  }
  const token = sessionStorage.getItem(key) ?? undefined;
  return { ...(token ? { moderatorToken: token } : {}), e2ee };
}

/** A room link: pre-join, then the meeting, then the page after leaving. */
export function RoomPage({ roomId }: { roomId: string }) {
  const [meeting] = useState(() => new Meeting());
  const [{ moderatorToken, e2ee }] = useState(() => readLink(roomId));
  const [last, setLast] = useState({ name: "", password: "" });
  const snapshot = useMeeting(meeting);
  useEffect(() => {
    // Closing the tab is leaving (1000): otherwise the others would see "reconnecting" for a while.
    const bye = () => meeting.close();
    window.addEventListener("pagehide", bye);
    return () => {
      window.removeEventListener("pagehide", bye);
      meeting.close();
    };
  }, [meeting]);

  const encrypted = snapshot.status.status === "joined" && snapshot.settings.e2ee;
  useEffect(() => {
    // Once the meeting is known to be encrypted, the link in the address bar (which people copy,
    // and which the "alone" hint shows) commits to it too.
    if (encrypted && !readFragment(window.location.hash).e2ee)
      history.replaceState(null, "", withE2ee(window.location.href, true));
  }, [encrypted]);

  const join = (name: string, password = "") => {
    setLast({ name, password });
    void meeting.join({
      roomId,
      name,
      e2ee,
      ...(moderatorToken ? { moderatorToken } : {}),
      ...(password ? { password } : {}),
    });
  };

  const status = snapshot.status;
  switch (status.status) {
    case "joined":
      return <MeetingView meeting={meeting} snapshot={snapshot} />;
    case "lobby":
      return <LobbyWait onLeave={() => meeting.leave()} />;
    case "left":
      return <Left title={t("left.title")} onRejoin={() => join(last.name, last.password)} />;
    case "denied":
      return <Left title={t("lobby.denied")} />;
    case "removed":
      return <Left title={t(status.reason === "kicked" ? "removed.kicked" : "removed.ended")} />;
    default:
      return <PreJoin meeting={meeting} snapshot={snapshot} onJoin={join} />;
  }
}
