import type { Config } from "../config/config";
import { Store } from "../store/store";
import { AccountError, Accounts } from "./accounts";
import { NoPasswordError, readPassword } from "./password-input";

export const USER_USAGE = `Usage: plenum user <command>

Commands:
  add <username>      Create a local organiser account; asks for the password
  passwd <username>   Set a new password (signs the account out everywhere)
  remove <username>   Delete the account with its sign-in sessions and rooms
  list                List accounts (username, kind, created)

The password is read from the terminal without echo, or as the first line of
standard input when that is not a terminal (e.g. printf '%s\\n' "$PW" | plenum user add alice).
`;

/** Exit codes: 0 done, 1 refused (taken, unknown, weak password), 2 usage or configuration error. */
export async function userCommand(args: string[], config: Config): Promise<number> {
  const [command, username, ...extra] = args;
  const needsName = command === "add" || command === "passwd" || command === "remove";
  const valid = needsName
    ? username !== undefined && extra.length === 0
    : command === "list" && username === undefined;
  if (!valid) {
    process.stderr.write(
      command === undefined || command === "help" ? USER_USAGE : `Bad arguments.\n\n${USER_USAGE}`,
    );
    return command === "help" ? 0 : 2;
  }
  const store = await Store.open(config);
  try {
    const accounts = new Accounts(store);
    switch (command) {
      case "add": {
        const password = await newPassword();
        const account = await accounts.addLocal(username ?? "", password);
        process.stdout.write(`Added user ${account.username}.\n`);
        return 0;
      }
      case "passwd":
        await accounts.setPassword(username ?? "", await newPassword());
        process.stdout.write("Password changed; the account was signed out everywhere.\n");
        return 0;
      case "remove":
        await accounts.remove(username ?? "");
        process.stdout.write("Removed the user, their sign-in sessions and their rooms.\n");
        return 0;
      default:
        for (const a of await accounts.list()) {
          const kind = a.oidc ? "oidc" : "local";
          process.stdout.write(`${a.username}\t${kind}\t${new Date(a.createdAt).toISOString()}\n`);
        }
        return 0;
    }
  } catch (error) {
    if (error instanceof AccountError || error instanceof NoPasswordError) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  } finally {
    await store.close();
  }
}

/** On a terminal the password is asked twice, as a typo there would lock the person out. */
async function newPassword(): Promise<string> {
  const password = await readPassword("New password: ");
  if (!process.stdin.isTTY) return password;
  if ((await readPassword("Repeat it: ")) !== password)
    throw new NoPasswordError("The two passwords differ; nothing was changed.");
  return password;
}
