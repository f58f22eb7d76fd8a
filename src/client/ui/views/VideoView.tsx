import { useEffect, useRef } from "preact/hooks";

interface Props {
  stream: MediaStream | undefined;
  /** The own preview is muted so nobody hears themselves. */
  muted?: boolean;
  className?: string;
  label: string;
}

/** A <video> playing a MediaStream; remote audio plays through the same element. */
export function VideoView({ stream, muted = false, className, label }: Props) {
  const ref = useRef<HTMLVideoElement>(null);
  const trackCount = stream?.getTracks().length ?? 0;
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    if (el.srcObject !== (stream ?? null)) el.srcObject = stream ?? null;
    // A track added to a playing stream may need a nudge to start.
    if (stream) el.play().catch(() => undefined);
  }, [stream, trackCount]);
  return (
    <video ref={ref} class={className} autoplay playsInline muted={muted} aria-label={label} />
  );
}
