import { useEffect, useState } from "preact/hooks";
import type { Meeting, MeetingSnapshot } from "../sdk/meeting";

/** The meeting's current snapshot, re-rendering on every change. */
export function useMeeting(meeting: Meeting): MeetingSnapshot {
  const [snapshot, setSnapshot] = useState(() => meeting.snapshot());
  useEffect(() => meeting.events.on("change", setSnapshot), [meeting]);
  return snapshot;
}
