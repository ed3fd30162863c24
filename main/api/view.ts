/**
 * What the UI may use of the back end besides the contract: the shapes of the data it shows and
 * the pure formatters that print them as the CLI does. With main/api/contract.ts this is the
 * renderer's whole view of main/: lint refuses any other import from there (eslint.config.js),
 * and main/api/browser-safe.test.ts proves that nothing these two modules reach needs Node.
 */
export type { DecodedField, DecodedLayer, DecodedPacket, FollowHop, FollowResult } from '../core/capture/types';
export type { WalkLeg, WalkResult } from '../core/check/walk-types';
export type { LocatedProblem, AppErrorJson } from '../core/errors';
export type { DumpRow, OvsRequest, OvsResult } from '../core/easyovs/types';
export type { Action, Flow, MatchField } from '../core/inspect/flows/types';
export type { IpInterface } from '../core/inspect/iproute/parse';
export type { IptablesRule } from '../core/inspect/iptables/types';
export type { OvsBridge, OvsDatabase, OvsInterface, OvsPort } from '../core/inspect/ovsdb/parse';
export type { SnapshotDiff } from '../core/inspect/snapshot/diff';
export type { NamespaceState, NodeSnapshot } from '../core/inspect/snapshot/types';
export type { PacketTrace } from '../core/inspect/trace/parse';
export type { ProgressEvent } from '../core/progress';
export type { CheckReport, ExploreResult, NodeWork, ObjectiveResult } from '../core/run/results';
export type { BootPhase } from '../core/session/boot-events';

export { hopDelay, hopHeaders, hopPlace, packetClock } from '../core/capture/format';
export { CAPTURE_LIMIT, CAPTURE_SECONDS } from '../core/capture/types';
export { describeWalkLeg, walkDisagreement } from '../core/check/walk-format';
export { followCommand, type GuideFollow } from '../core/lab/guide-follow';
export { SESSION_NAME_PATTERN } from '../core/session/session-name';
export { matchText } from '../core/inspect/flows/format';
export { formatRule } from '../core/inspect/iptables/format';
export { renderShow } from '../core/inspect/ovsdb/show';
export type { GridMark, LabRecord, LiveCheck, ObjectiveRecord, StudentRecord } from '../core/workshop/records';
export { gridMark, recordsToCsv } from '../core/workshop/records';
