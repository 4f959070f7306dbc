/** The trivial workflow's one activity: no I/O, so what it costs is the engine's share alone. */
export const trivialActivities = {
  async noop(): Promise<void> {},
};
