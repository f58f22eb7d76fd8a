import { useEffect, useState } from "preact/hooks";
import { ApiError, type OrganiserRoom, organiser } from "../../sdk/organiser";
import { t } from "../i18n";
import { NewRoomForm } from "./NewRoomForm";
import { RoomItem } from "./RoomItem";

/** The organiser's page: their persistent rooms, a form for a new one, and sign out. */
export function Organiser() {
  const [username, setUsername] = useState<string>();
  const [rooms, setRooms] = useState<OrganiserRoom[]>();
  /** Moderator links known in this page's life, by room id; never stored in the browser. */
  const [moderatorUrls, setModeratorUrls] = useState<Record<string, string>>({});
  const [announcement, setAnnouncement] = useState("");
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    (async () => {
      const me = await organiser.me();
      if (!me) return window.location.assign("/login");
      setUsername(me.username);
      setRooms(await organiser.rooms());
    })().catch((error: unknown) => {
      if (error instanceof ApiError && error.code === "not-signed-in")
        window.location.assign("/login");
      else setFailed(true);
    });
  }, []);

  const signOut = async () => {
    await organiser.logout().catch(() => {});
    window.location.assign("/");
  };

  if (!username || !rooms)
    return (
      <main class="organiser">
        {failed ? (
          <p class="error" role="alert">
            {t("error.default")}
          </p>
        ) : (
          <p role="status">{t("my.loading")}</p>
        )}
      </main>
    );

  return (
    <main class="organiser">
      <div class="account-bar">
        <span>{t("my.signedInAs", { username })}</span>
        <button type="button" onClick={signOut}>
          {t("my.signOut")}
        </button>
      </div>
      <h1>{t("my.title")}</h1>
      <p class="visually-hidden" role="status">
        {announcement}
      </p>
      {rooms.length === 0 ? (
        <p>{t("my.empty")}</p>
      ) : (
        <ul class="room-list">
          {rooms.map((room) => (
            <RoomItem
              key={room.id}
              room={room}
              moderatorUrl={moderatorUrls[room.id]}
              onModeratorUrl={(url) => setModeratorUrls({ ...moderatorUrls, [room.id]: url })}
              onSaved={(saved) => {
                setRooms(rooms.map((r) => (r.id === saved.id ? saved : r)));
                setAnnouncement(t("my.room.saved", { name: saved.name }));
              }}
              onDelete={async () => {
                await organiser.deleteRoom(room.id);
                setRooms(rooms.filter((r) => r.id !== room.id));
                setAnnouncement(t("my.room.deleted", { name: room.name }));
              }}
            />
          ))}
        </ul>
      )}
      <NewRoomForm
        onCreated={({ moderatorUrl, ...room }) => {
          setRooms([room, ...rooms]);
          setModeratorUrls({ ...moderatorUrls, [room.id]: moderatorUrl });
          setAnnouncement(t("my.created", { name: room.name }));
        }}
      />
    </main>
  );
}
