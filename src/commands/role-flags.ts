// The flags assign-role and unassign-role share. Their validation (role-options.ts) is loaded with the
// command's action, not with its definition (its help).
import type { Command } from "commander";
import { PRINCIPAL_TYPES } from "../azure/principal-types.js";
import type { RawTargetOptions } from "../azure/target.js";
import { addTargetOptions, collect } from "./shared.js";

export interface RawRoleOptions extends RawTargetOptions {
  assignee?: string[];
  assigneesFile?: string;
  assigneePrincipalType?: string;
  role?: string;
  scope?: string;
  principalWait: string;
  concurrency: string;
  dryRun?: boolean;
  yes?: boolean;
  /** assign-role only: the scope as a storage account (and container) found through ARM. */
  storageAccount?: string;
  storageResourceGroup?: string;
  container?: string;
}

export function addRoleOptions(cmd: Command): Command {
  return addTargetOptions(cmd)
    .option("--assignee <principalId>", "principal (object) ID to assign to (repeatable)", collect)
    .option("--assignees-file <file>", "file with one principal ID per line ('#' comments allowed)")
    .option(
      "--assignee-principal-type <type>",
      `${PRINCIPAL_TYPES.join(", ")} (default: ServicePrincipal, and the type ARM names if it differs)`,
    )
    .option("--role <name|guid|id>", "role name (case-insensitive), GUID or role definition ID")
    .option(
      "--scope <scope>",
      "any ARM scope: subscription, resource group, resource (e.g. a storage account)",
    )
    .option("--principal-wait <duration>", "how long to retry PrincipalNotFound for a new identity", "3m")
    .option("--concurrency <n>", "assignments in flight at once", "32")
    .option("--dry-run", "look everything up, print what would change, write nothing")
    .option("--yes", "allow broad roles (Owner, Contributor, …) at subscription scope");
}
