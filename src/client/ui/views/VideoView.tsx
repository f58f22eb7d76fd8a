import { useEffect, useRef } from "preact/hooks";

interface Props {
  stream: MediaStream | undefined;
  /** The own preview is muted so nobody hears themselves. */
  muted?: boolean;
  className?: string;
  label: string;
  /** The chosen speaker (audio output device), where the browser can choose one. */
  sinkId?: string;
}

type SinkElement = HTMLVideoElement & { setSinkId?: (id: string) => Promise<void> };

/** A <video> playing a MediaStream; remote audio plays through the same element. */
export function VideoView({ stream, muted = false, className, label, sinkId }: Props) {
  const ref = useRef<SinkElement>(null);
  const trackCount = stream?.getTracks().length ?? 0;
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    if (el.srcObject !== (stream ?? null)) el.srcObject = stream ?? null;
    // A track added to a playing stream may need a nudge to start.
    if (stream) el.play().catch(() => undefined);
  }, [stream, trackCount]);
  useEffect(() => {
    const el = ref.current;
    // A device that vanished keeps the default output rather than silence.
    if (el?.setSinkId && sinkId && !muted) el.setSinkId(sinkId).catch(() => undefined);
  }, [sinkId, muted]);
  return (
    <video ref={ref} class={className} autoplay playsInline muted={muted} aria-label={label} />
  );
}
