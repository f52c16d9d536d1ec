// The Azure CLI's default resource group: AZURE_DEFAULTS_GROUP, else `group` in the [defaults] section of
// its config file ($AZURE_CONFIG_DIR/config, default ~/.azure/config), which `az config set
// defaults.group=NAME` writes. az's precedence: a command-line argument, then the environment variable,
// then the file (learn.microsoft.com/cli/azure/azure-cli-configuration; knack's CLIConfig reads the
// variable AZURE_{SECTION}_{OPTION} before the file).
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { UsageError } from "../errors.js";
import { isResourceGroupName } from "./ids.js";

export interface DefaultGroup {
  name: string;
  /** Where it came from, for --verbose and messages. */
  source: string;
}

export async function defaultResourceGroup(env: NodeJS.ProcessEnv): Promise<DefaultGroup | undefined> {
  // Set, even to nothing, the variable hides the file (as in az: `AZURE_DEFAULTS_GROUP=` means no default).
  if (env.AZURE_DEFAULTS_GROUP !== undefined)
    return checked(env.AZURE_DEFAULTS_GROUP, "AZURE_DEFAULTS_GROUP");
  const file = join(env.AZURE_CONFIG_DIR || join(env.HOME || homedir(), ".azure"), "config");
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    return undefined;
  }
  const value = iniValue(text, "defaults", "group");
  return value === undefined ? undefined : checked(value, `defaults.group in ${file}`);
}

function checked(raw: string, source: string): DefaultGroup | undefined {
  const name = raw.trim();
  if (name === "") return undefined;
  if (!isResourceGroupName(name))
    throw new UsageError(`invalid default resource group '${name}' (${source})`, {
      hint: "fix it (az config set defaults.group=NAME, or unset it), or pass -g",
    });
  return { name, source };
}

/**
 * One value of an INI file as Python's configparser reads it: section names are case-sensitive, option
 * names are not; `key = value` or `key: value`; lines starting with '#' or ';' are comments; the last
 * occurrence wins (configparser refuses duplicates; az never writes them).
 */
export function iniValue(text: string, section: string, option: string): string | undefined {
  let current: string | undefined;
  let found: string | undefined;
  for (const line of text.replace(/^\uFEFF/, "").split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#") || trimmed.startsWith(";")) continue;
    const header = /^\[([^\]]+)\]$/.exec(trimmed);
    if (header) {
      current = header[1]?.trim();
      continue;
    }
    if (current !== section) continue;
    const m = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(trimmed);
    if (m && m[1]?.toLowerCase() === option.toLowerCase()) found = m[2] ?? "";
  }
  return found;
}
