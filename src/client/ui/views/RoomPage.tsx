import { useEffect, useState } from "preact/hooks";
import { Meeting } from "../../sdk/meeting";
import { useMeeting } from "../use-meeting";
import { Left } from "./Left";
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
  const [name, setName] = useState("");
  const snapshot = useMeeting(meeting);
  useEffect(() => () => meeting.close(), [meeting]);

  const join = (displayName: string) => {
    setName(displayName);
    void meeting.join({ roomId, name: displayName, moderatorToken });
  };

  switch (snapshot.status.status) {
    case "joined":
      return <MeetingView meeting={meeting} snapshot={snapshot} />;
    case "left":
      return <Left onRejoin={() => join(name)} />;
    default:
      return <PreJoin meeting={meeting} snapshot={snapshot} onJoin={join} />;
  }
}
