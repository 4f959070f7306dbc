// The workflow bundle's entry point: every workflow type the worker registers.
export { alert } from './alert';
// Runs started before the lean alert, and the runs they continue as.
export { alertWorkflow } from './legacy/alert';
export { groupWorkflow } from './group';
export { scheduleHandoffWorkflow } from './handoff';
export { testPageWorkflow } from './test-page';
export { heartbeatMonitorWorkflow } from './heartbeat';
