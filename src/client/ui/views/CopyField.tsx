import { useRef, useState } from "preact/hooks";
import { t } from "../i18n";

/** A link shown read-only with a Copy button; the label names it for screen readers. */
export function CopyField({ id, label, value }: { id: string; label: string; value: string }) {
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
    } catch {
      // No clipboard access (permission, insecure context): select it for Ctrl+C instead.
      input.current?.select();
    }
  };
  return (
    <div class="copy-field">
      <label for={id}>{label}</label>
      <div class="copy-row">
        <input
          id={id}
          ref={input}
          readOnly
          value={value}
          onFocus={(e) => e.currentTarget.select()}
        />
        <button type="button" onClick={copy}>
          {t("my.room.copy")}
        </button>
      </div>
      <span class="status" role="status">
        {copied ? t("my.room.copied") : ""}
      </span>
    </div>
  );
}
