// One app setting of a web or function app, written without losing the others. ARM keeps a site's
// settings as one dictionary that `PUT …/config/appsettings` replaces whole, with no ETag or If-Match
// (see /work/shared/reference/AZURE-WIRE.md): two writers that read at once can drop each other's keys.
// So: read, change only our key, write; read back; look once more a moment later; and if our key is not
// there as written (another writer replaced the dictionary from an older read), merge again and rewrite,
// a bounded number of times. Every other key is written back exactly as read.
import { setTimeout as sleep } from "node:timers/promises";
import { MiauthError } from "../errors.js";
import type { AppSettingsOps } from "./app-settings-client.js";
import { httpStatus, translateAzureError } from "./errors.js";
import { type RawReply, replyObject, unreadableReply, unusable } from "./replies.js";

export interface SettingsTarget {
  resourceGroup: string;
  name: string;
  /** A deployment slot of the site, whose settings are its own. */
  slot?: string;
  /** The site's resource ID (what the reply's `id` must start with). */
  id: string;
  /** e.g. "web app 'x' in resource group 'rg'" */
  what: string;
}

export interface SettingOutcome {
  name: string;
  value: string;
  /** Its value before, null when it was not set. */
  before: string | null;
  result: "created" | "updated" | "unchanged";
  /** PUTs sent (0 when unchanged). */
  writes: number;
}

/** The second look after a write: another writer's PUT from an older read lands within this, as a rule. */
export const CONFIRM_AFTER_MS = 1000;

export interface SetOptions {
  signal?: AbortSignal;
  warn: (line: string) => void;
  /** How long after a successful read-back to look once more (another writer's late PUT). */
  confirmAfterMs?: number;
  /** Writes at most (each after a fresh read). */
  attempts?: number;
}

const siteRef = (t: SettingsTarget) => ({ group: t.resourceGroup, site: t.name, slot: t.slot });

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The dictionary of a checked reply: the site's own config/appsettings, every value a string. */
function settingsOf(reply: RawReply, target: SettingsTarget): Record<string, string> {
  const body = replyObject(reply);
  const id = `${target.id}/config/appsettings`;
  if (typeof body.id !== "string" || body.id.toLowerCase() !== id.toLowerCase())
    unusable(reply, "it is not the app settings of the expected site");
  const properties = body.properties ?? {};
  if (!isObject(properties)) unusable(reply, "its properties are not an object");
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(properties)) {
    if (typeof v !== "string") unusable(reply, `the setting '${k.slice(0, 60)}' is not a string`);
    out[k] = v;
  }
  return out;
}

/** Reads the whole dictionary (POST …/config/appsettings/list), checked. */
export async function readAppSettings(
  ops: AppSettingsOps,
  target: SettingsTarget,
  signal?: AbortSignal,
): Promise<Record<string, string>> {
  const seen: { reply?: RawReply } = {};
  try {
    await ops.list(siteRef(target), {
      abortSignal: signal,
      onResponse: (r: RawReply) => {
        seen.reply = r;
      },
    });
  } catch (err) {
    if (!seen.reply || seen.reply.status < 200 || seen.reply.status > 299)
      throw (
        unreadableReply(err, `POST ${target.id}/config/appsettings/list`) ??
        translateAzureError(err, { what: `the app settings of the ${target.what}` })
      );
  }
  if (!seen.reply) throw new MiauthError(`no reply to the read of the app settings of the ${target.what}`);
  return settingsOf(seen.reply, target);
}

/** Sends the whole dictionary; a reply that never came is not an error here: the read-back decides. */
async function writeAppSettings(
  ops: AppSettingsOps,
  target: SettingsTarget,
  settings: Record<string, string>,
  signal?: AbortSignal,
): Promise<void> {
  try {
    await ops.update(siteRef(target), { properties: settings }, { abortSignal: signal });
  } catch (err) {
    // ARM answered with an error: nothing was written. No answer at all (a reset, a cut-off reply): it
    // may have been written, which the read-back that follows tells.
    if (httpStatus(err) !== undefined || signal?.aborted)
      throw translateAzureError(err, { what: `the app settings of the ${target.what}` });
  }
}

/** Sets `name` to `value` and keeps every other setting as it is; zero writes when it is already so. */
export async function setAppSetting(
  ops: AppSettingsOps,
  target: SettingsTarget,
  name: string,
  value: string,
  o: SetOptions,
): Promise<SettingOutcome> {
  const attempts = o.attempts ?? 3;
  let current = await readAppSettings(ops, target, o.signal);
  const before = Object.hasOwn(current, name) ? (current[name] ?? null) : null;
  if (before === value) return { name, value, before, result: "unchanged", writes: 0 };
  for (let writes = 1; writes <= attempts; writes++) {
    await writeAppSettings(ops, target, { ...current, [name]: value }, o.signal);
    let after = await readAppSettings(ops, target, o.signal);
    if (after[name] === value) {
      // Another writer that read before our PUT may still replace the dictionary: look once more.
      await sleep(o.confirmAfterMs ?? CONFIRM_AFTER_MS, undefined, { signal: o.signal });
      after = await readAppSettings(ops, target, o.signal);
      if (after[name] === value)
        return { name, value, before, result: before === null ? "created" : "updated", writes };
    }
    if (writes < attempts)
      o.warn(
        `the app settings of the ${target.what} were replaced by another writer after miauth wrote ${name}; merging again (write ${writes + 1} of ${attempts})`,
      );
    current = after;
  }
  throw new MiauthError(
    `the app settings of the ${target.what} kept changing under ${attempts} writes: ${name} is not set as written`,
    { hint: "another deployment is writing the app settings at the same time: run again when it is done" },
  );
}
