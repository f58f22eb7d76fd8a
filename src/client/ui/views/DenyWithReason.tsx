import { useEffect, useRef, useState } from "preact/hooks";
import { MAX_LOBBY_TEXT } from "../../../protocol/lobby";
import type { Waiter } from "../../../protocol/messages";
import type { Meeting } from "../../sdk/meeting";
import { t } from "../i18n";
import { errorText } from "./errors";
import { refusal } from "./LobbyMessageForm";

/**
 * Turns one waiting person away with a reason they are shown (SPEC LOBBY-5).
 * Opens in place; focus goes to the field and back to the button on cancel.
 */
export function DenyWithReason({ meeting, waiter }: { meeting: Meeting; waiter: Waiter }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | undefined>();
  const field = useRef<HTMLInputElement>(null);
  const opener = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (open) field.current?.focus();
  }, [open]);
  const fieldId = `deny-reason-${waiter.id}`;
  if (!open)
    return (
      <button type="button" ref={opener} aria-expanded="false" onClick={() => setOpen(true)}>
        {t("lobby.denyWithReason")}
        <span class="visually-hidden"> {waiter.name}</span>
      </button>
    );
  const cancel = () => {
    setOpen(false);
    setError(undefined);
    // The opener is rendered again after this update; focus it then.
    setTimeout(() => opener.current?.focus());
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      await meeting.moderation.deny(waiter.id, reason);
    } catch (err) {
      setError(errorText(refusal(err)));
    }
  };
  return (
    <form
      class="deny-reason"
      onSubmit={submit}
      onKeyDown={(e) => {
        if (e.key === "Escape") cancel();
      }}
    >
      <label for={fieldId}>{t("lobby.reasonLabel", { name: waiter.name })}</label>
      <input
        id={fieldId}
        ref={field}
        type="text"
        maxLength={MAX_LOBBY_TEXT}
        value={reason}
        onInput={(e) => setReason(e.currentTarget.value)}
      />
      <button type="submit" class="danger">
        {t("lobby.reasonSend")}
      </button>
      <button type="button" onClick={cancel}>
        {t("lobby.reasonCancel")}
      </button>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
