// The flags assign-role and unassign-role share. Their validation (role-options.ts) is loaded with the
// command's action, not with its definition (its help).
import { type Command, Option } from "commander";
import { PRINCIPAL_TYPES } from "../azure/principal-types.js";
import type { RawTargetOptions } from "../azure/target.js";
import { addTargetOptions, collect, setOptionHelp, withValues } from "./shared.js";

export interface RawRoleOptions extends RawTargetOptions {
  assignee?: string[];
  assigneesFile?: string;
  /** A user-assigned identity (NAME|ID): the assignee, or which of the target's identities. */
  identity?: string;
  identityResourceGroup?: string;
  role?: string;
  scope?: string;
  concurrency: string;
  dryRun?: boolean;
}

/** What only assign-role offers: unassign-role deletes what exists, whatever its principal type. */
export interface RawAssignOptions extends RawRoleOptions {
  assigneePrincipalType?: string;
  principalWait: string;
  yes?: boolean;
  /** assign-role only: the scope as a storage account (and container) found through ARM. */
  storageAccount?: string;
  storageResourceGroup?: string;
  container?: string;
}

export type RoleVerb = "assign" | "unassign";

export function addRoleOptions(cmd: Command, verb: RoleVerb): Command {
  const assign = verb === "assign";
  addTargetOptions(cmd)
    .option(
      "--assignee <id|upn|name>",
      `${assign ? "principal to assign the role to" : "principal whose assignment to remove"}: object ID, or a user principal name, appId:GUID or a service principal's display name, looked up in Microsoft Graph (repeatable)`,
      collect,
    )
    .option("--assignees-file <file>", "file with one principal ID per line ('#' comments allowed)")
    .option(
      "--identity <name|id>",
      "a user-assigned identity (its principal ID is read through ARM); with a target, which of the target's identities (default: its system-assigned one)",
    )
    .option(
      "--identity-resource-group <group>",
      "the resource group of --identity given by name (default: -g)",
    );
  if (assign)
    cmd.addOption(
      withValues(
        new Option(
          "--assignee-principal-type <type>",
          "the assignee's type (default: ServicePrincipal, and the type ARM names if it differs)",
        ),
        PRINCIPAL_TYPES,
      ),
    );
  cmd
    .option("--role <name|guid|id>", "role name (case-insensitive), GUID or role definition ID")
    .option(
      "--scope <scope>",
      "any ARM scope: subscription, resource group, resource (e.g. a storage account)",
    );
  if (assign)
    cmd.option("--principal-wait <duration>", "how long to retry PrincipalNotFound for a new identity", "3m");
  cmd
    .option("--concurrency <n>", `${assign ? "assignments" : "removals"} in flight at once`, "32")
    .option("--dry-run", "look everything up, print what would change, write nothing");
  if (assign) cmd.option("--yes", "allow broad roles (Owner, Contributor, …) at subscription scope");
  return setOptionHelp(
    cmd,
    "--resource-group",
    "the scope unless --scope is given; and the resource group of --webapp/--functionapp/--vm",
  );
}
