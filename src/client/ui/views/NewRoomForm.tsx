import { type OrganiserRoom, organiser } from "../../sdk/organiser";
import { t } from "../i18n";
import { RoomForm } from "./RoomForm";

/** Creates a persistent room with a name and its default settings. */
export function NewRoomForm({
  onCreated,
}: {
  onCreated: (room: OrganiserRoom & { moderatorUrl: string }) => void;
}) {
  return (
    <section aria-labelledby="new-room-title">
      <h2 id="new-room-title">{t("my.create.title")}</h2>
      <RoomForm
        idPrefix="new-room"
        submitLabel={t("my.create.submit")}
        busyLabel={t("my.create.creating")}
        failedText={t("my.create.failed")}
        onSubmit={async ({ password, ...values }) => {
          onCreated(await organiser.createRoom(password ? { ...values, password } : values));
        }}
      />
    </section>
  );
}
