/**
 * Generated protobuf-es code for the `pulse.v1` contracts under `proto/`.
 * Regenerate with `npm run generate`; never edit `gen/` by hand.
 */
export * from './gen/pulse/v1/event_pb.js';
export * from './gen/pulse/v1/ingest_pb.js';
export * from './gen/pulse/v1/profile_pb.js';
export * from './gen/pulse/v1/decision_pb.js';
export * from './gen/pulse/v1/decision_record_pb.js';
export * from './gen/pulse/v1/audience_pb.js';
export * from './gen/pulse/v1/audience_admin_pb.js';
export * from './gen/pulse/v1/diagnostics_pb.js';
export * from './gen/pulse/v1/partition_pb.js';
