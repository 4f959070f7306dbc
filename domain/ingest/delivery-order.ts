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
