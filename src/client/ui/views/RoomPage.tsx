import { useEffect, useState } from "preact/hooks";
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
 * the plain participant link.
 */
function takeModeratorToken(roomId: string): string | undefined {
  const key = `plenum.moderator.${roomId}`;
  const match = /^#mod=([A-Za-z0-9_-]+)$/.exec(window.location.hash);
  if (match?.[1]) {
    sessionStorage.setItem(key, match[1]);
    history.replaceState(null, "", window.location.pathname);
  }
  return sessionStorage.getItem(key) ?? undefined;
}

/** A room link: pre-join, then the meeting, then the page after leaving. */
export function RoomPage({ roomId }: { roomId: string }) {
  const [meeting] = useState(() => new Meeting());
  const [moderatorToken] = useState(() => takeModeratorToken(roomId));
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

  const join = (name: string, password = "") => {
    setLast({ name, password });
    void meeting.join({ roomId, name, moderatorToken, ...(password ? { password } : {}) });
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
