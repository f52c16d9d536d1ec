import "./definition-kit.js";
import { Command, Option } from "commander";
import type { RawTargetOptions } from "../azure/target.js";
import type { Runner } from "./runner.js";
import { addTargetOptions, examples, setOptionHelp, withValues } from "./shared.js";
import { timeoutOption } from "./timeout.js";

export interface RawVerifyOptions extends RawTargetOptions {
  principal?: string;
  identity?: string;
  identityResourceGroup?: string;
  clientId?: string;
  account?: string;
  accountResourceGroup?: string;
  storageId?: string;
  blobEndpoint?: string;
  container?: string;
  access: string;
  wait?: string;
  junit?: string;
  timeout?: string;
}

/** --access: what must pass. */
export const ACCESS_LEVELS = ["read", "write", "readwrite"] as const;

export function verifyCommand(run: Runner): Command {
  const cmd = addTargetOptions(
    new Command("verify").description(
      "Prove an identity can reach Blob Storage: as the running app (data plane), or for a given identity from its role assignments (control plane)",
    ),
  );
  // verify checks one identity: one --ids; -g also names the account's group (control plane).
  setOptionHelp(cmd, "--ids", "full resource ID of a site, VM or container app");
  setOptionHelp(
    cmd,
    "--resource-group",
    "resource group of --webapp/--functionapp/--vm/--containerapp, and of --account unless --account-resource-group is given",
  );
  return cmd
    .option(
      "--principal <id|upn|name>",
      "control plane: check this principal: object ID, or a user principal name, appId:GUID or display name (Microsoft Graph), or a user-assigned identity's resource ID",
    )
    .option(
      "--identity <name|id>",
      "control plane: a user-assigned identity to check; with a target, which of its identities (default: system-assigned)",
    )
    .option(
      "--identity-resource-group <group>",
      "control plane: the resource group of --identity given by name (default: -g)",
    )
    .option(
      "--client-id <guid>",
      "data plane: the user-assigned identity to get the token as (env AZURE_CLIENT_ID), as DefaultAzureCredential picks it",
    )
    .option("--account <name>", "storage account name (env AZURE_STORAGE_ACCOUNT_NAME)")
    .option("--account-resource-group <group>", "control plane: the account's resource group (default: -g)")
    .option("--storage-id <resourceId>", "control plane: the storage account's resource ID")
    .option("--blob-endpoint <url>", "data plane: blob endpoint (env AZURE_STORAGE_BLOB_ENDPOINT)")
    .option("--container <name>", "container to list (and to write the probe in)")
    .addOption(withValues(new Option("--access <level>", "what must pass").default("read"), ACCESS_LEVELS))
    .option(
      "--wait <duration>",
      "retry denied steps until they pass or this time runs out (RBAC propagation)",
    )
    .option("--junit <file>", "also write a JUnit XML report")
    .addOption(timeoutOption(undefined, "by default --wait plus 2m"))
    .addHelpText(
      "after",
      examples([
        "miauth verify --account msdocsstorage --access readwrite                  # inside the app",
        "miauth verify --webapp msdocs-web -g msdocs-sdk-auth-example --account msdocsstorage   # from CI",
        "miauth verify --account msdocsstorage --container data --wait 10m --junit verify.xml",
        "miauth verify --identity msdocs-uami -g msdocs-sdk-auth-example --account msdocsstorage   # a user-assigned identity",
        "miauth verify --account msdocsstorage --client-id <clientId>               # inside the app, as that identity",
      ]),
    )
    .action(
      // Ctrl-C must leave time to remove the probe blob.
      run<RawVerifyOptions>({ cleanupGraceMs: 15_000 }, async (ctx, raw) => {
        const { verifyAction } = await import("./verify-run.js");
        await verifyAction(ctx, raw);
      }),
    );
}
