// miauth setup: flags → typed input → runSetup → print. Everything is checked before any request.
import "./definition-kit.js";
import { Command, Option } from "commander";
import type { RawTargetOptions } from "../azure/target.js";
import type { Runner } from "./runner.js";
import { addTargetOptions, examples } from "./shared.js";
import { addTimeoutOption } from "./timeout.js";

export interface RawSetupOptions extends RawTargetOptions {
  storageAccount?: string;
  storageResourceGroup?: string;
  role: string;
  scope: string;
  /** The setting's name, or false with --no-app-setting. */
  appSetting: string | false;
  setEnv?: boolean;
  dryRun?: boolean;
  yes?: boolean;
  wait?: string;
  principalWait: string;
  userAssigned?: string;
  identityResourceGroup?: string;
}

export const DEFAULT_ROLE = "Storage Blob Data Contributor";
export const DEFAULT_SETTING = "AZURE_STORAGE_ACCOUNT_NAME";

export function setupCommand(run: Runner): Command {
  return addTimeoutOption(
    addTargetOptions(
      new Command("setup").description(
        "The whole guide in one idempotent run: enable the identity, assign the role on the storage account, set the app setting, check",
      ),
    ),
    "10m",
    "the final check's --wait included",
  )
    .option("--storage-account <name>", "the storage account the app reads (found through ARM)")
    .option(
      "--storage-resource-group <group>",
      "the account's resource group (else found in the subscription)",
    )
    .option("--role <name|guid|id>", "the role to assign", DEFAULT_ROLE)
    .option(
      "--scope <scope>",
      "account (least privilege that works), container:NAME, or resource-group (the account's, as the guide does)",
      "account",
    )
    .option(
      "--app-setting <name>",
      "web and function apps: the setting that names the account (container apps: the env variable)",
      DEFAULT_SETTING,
    )
    .option("--no-app-setting", "write no app setting")
    .option(
      "--set-env",
      "container apps: set the variable in every container's env (a new revision); else only say what to set",
    )
    .option("--dry-run", "print the plan as JSON and write nothing")
    .option("--yes", "do not ask before writing (a terminal is asked; a script is not)")
    .addOption(
      new Option("--wait <duration>", "wait this long for the role assignment to show in the final check"),
    )
    .option("--principal-wait <duration>", "how long to retry PrincipalNotFound for a new identity", "3m")
    .option(
      "--user-assigned <name|id>",
      "use this user-assigned identity (created if missing, attached, given the role, AZURE_CLIENT_ID set) instead of the system-assigned one",
    )
    .option(
      "--identity-resource-group <group>",
      "the resource group of --user-assigned given by name (default: the target's)",
    )
    .addHelpText(
      "after",
      `${examples([
        "miauth setup --webapp msdocs-web -g msdocs-sdk-auth-example --storage-account msdocsstorage",
        "miauth setup --webapp msdocs-web -g msdocs-sdk-auth-example --storage-account msdocsstorage --dry-run",
        "miauth setup --vm msdocs-vm -g msdocs-sdk-auth-example --storage-account msdocsstorage --scope resource-group --yes",
        "miauth setup --webapp msdocs-web -g msdocs-sdk-auth-example --storage-account msdocsstorage --user-assigned msdocs-shared",
        "miauth setup --containerapp msdocs-aca -g msdocs-sdk-auth-example --storage-account msdocsstorage --set-env --yes",
      ])}
Exit codes: 0 done (or nothing to do: "unchanged"), 2 bad input or a declined confirmation, 3 a target,
account, container or role not found, 4/5 authentication or permission, 1 a step that failed (the JSON
result says which steps were done); run the same command again to finish.
`,
    )
    .action(
      run<RawSetupOptions>(async (ctx, opts) => {
        const { setupAction } = await import("./setup-run.js");
        await setupAction(ctx, opts);
      }),
    );
}
