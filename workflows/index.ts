// The workflow bundle's entry point: every workflow type the worker registers.
export { alertWorkflow } from './alert';
export { groupWorkflow } from './group';
export { scheduleHandoffWorkflow } from './handoff';
