/** On-call schedules: pure answers to who is on call, the shifts in a range and the next handoff. */
export { layerShiftAt } from './rotation';
export { inRestriction } from './restrictions';
export { activeOverrides, applyOverrides, overrideOrder } from './overrides';
export { nextHandoff, onCallAt, shifts } from './schedule';
export * from './types';
