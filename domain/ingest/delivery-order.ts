/**
 * The order a batch of events must reach its alerts in. Events with the same dedup key go to one alert
 * and must arrive as sent (a trigger and its resolve in one Alertmanager batch: resolved, not firing);
 * events for different keys go to different alerts and may be delivered in any order, so concurrently.
 * Pure.
 */

/**
 * Returns the events' indexes as lanes: one lane per dedup key holding its events in arrival order,
 * lanes ordered by their first event. An event without a key gets a lane of its own: a keyless trigger
 * opens an alert under a freshly generated key, and a keyless acknowledge or resolve reaches nothing.
 * Within one integration every event has the same service, so the dedup key alone names the alert.
 */
export function deliveryLanes(keys: readonly (string | undefined)[]): number[][] {
  const lanes: number[][] = [];
  const byKey = new Map<string, number[]>();
  keys.forEach((key, index) => {
    const lane = key === undefined ? undefined : byKey.get(key);
    if (lane) {
      lane.push(index);
      return;
    }
    const fresh = [index];
    lanes.push(fresh);
    if (key !== undefined) byKey.set(key, fresh);
  });
  return lanes;
}

/**
 * Returns a lane's events as deliveries: consecutive triggers (of its one dedup key) become one delivery
 * that counts them all, so a payload repeating a firing alert a hundred times costs its alert one
 * signal, not a hundred; an acknowledge or resolve between them keeps them apart, in order.
 */
export function collapseRepeats(lane: readonly number[], isTrigger: (index: number) => boolean): number[][] {
  const deliveries: number[][] = [];
  for (const index of lane) {
    const last = deliveries.at(-1);
    if (last && isTrigger(index) && isTrigger(last[0]!)) last.push(index);
    else deliveries.push([index]);
  }
  return deliveries;
}
