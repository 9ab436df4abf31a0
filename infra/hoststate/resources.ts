/** The host-state resources: dynamic resources whose `read` inspects the host over SSH. */
export { RemoteFile, type RemoteFileArgs } from "./remote-file";
export { SystemdUnitState, type SystemdUnitStateArgs } from "./systemd-unit-state";
export { EnvEntries, type EnvEntriesArgs, type RuntimeRef } from "./env-entries";
export { JsonKeys, type JsonKeysArgs, type JsonValue, type PreviousValue } from "./json-keys";
export { HostAction, type HostActionArgs } from "./host-action";
export { TargetsInSync, type TargetsInSyncArgs } from "./targets-in-sync";
export { type HostInput, TYPE_MODULE } from "./host-input";
