// What `roles list` says on stderr when its answer may not be what was meant: a --name that matches no
// role (the closest names), a --data-action that looks misspelt.
import { isUnknownDataAction } from "../azure/data-actions.js";
import { isGuid } from "../azure/ids.js";
import { closestRoleNames, listRoles, type RoleView } from "../azure/roles.js";
import type { Context } from "../context.js";

export interface NoMatchInput {
  scope: string;
  subscriptionId: string;
  name?: string;
  kinds: { customOnly?: boolean; builtinOnly?: boolean };
  /** The roles listed before the --data-action filter. */
  listed: RoleView[];
  dataAction?: string;
}

export async function noMatchNotes(ctx: Context, o: NoMatchInput): Promise<string[]> {
  const notes: string[] = [];
  if (o.name !== undefined && o.listed.length === 0 && isGuid(o.name)) {
    notes.push(`no role definition with the GUID '${o.name}' at ${o.scope}`);
  } else if (o.name !== undefined && o.listed.length === 0) {
    // As `az role definition list --name` does, stdout is `[]` (exit 0); the closest names go to stderr.
    const all = await listRoles(await ctx.arm(), o.scope, o.subscriptionId, o.kinds, ctx.signal);
    const names = closestRoleNames(
      o.name,
      all.map((r) => r.roleName),
    );
    notes.push(
      `no role named '${o.name}' at ${o.scope}${names.length ? `; closest: ${names.map((n) => `'${n}'`).join(", ")}` : ""}`,
    );
  }
  if (o.dataAction !== undefined && isUnknownDataAction(o.dataAction, o.listed)) {
    notes.push(
      `no role lists the data action '${o.dataAction}' by that name and it is not one miauth knows: check its spelling (a role with a wildcard such as …/blobs/* seems to grant any name)`,
    );
  }
  return notes;
}
