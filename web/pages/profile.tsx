/**
 * Profile: what the signed-in person keeps about themselves — name and time zone, contact methods with
 * a test page each, personal API keys, and their password. Each section loads and fails on its own.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, call, errorText } from '../api/client.js';
import type { components } from '../api/schema.js';
import { ErrorMessage, PageTitle, type PageProps } from '../components.js';
import { ApiKeysSection } from './profile-api-keys.js';
import { ContactMethodsSection } from './profile-contact-methods.js';
import { PasswordSection } from './profile-password.js';

export type User = components['schemas']['User'];

/** The zones the browser knows, with the user's own first in line even when the list lacks it (UTC). */
function timeZones(current: string): string[] {
  const known = Intl.supportedValuesOf('timeZone');
  return known.includes(current) ? known : [current, ...known];
}

function DetailsSection({
  user,
  onSaved,
  onFailure,
}: {
  user: User;
  onSaved: (user: User) => void;
  onFailure: (err: unknown) => void;
}) {
  const [failure, setFailure] = useState<string | null>(null);
  const [notice, setNotice] = useState('');
  const [busy, setBusy] = useState(false);

  const save = async (e: SubmitEvent) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    setBusy(true);
    setNotice('');
    setFailure(null);
    try {
      const saved = await call(
        api.PATCH('/me', {
          body: { name: String(form.get('name')), time_zone: String(form.get('time_zone')) },
        }),
      );
      onSaved(saved);
      setNotice('Saved.');
    } catch (err) {
      setFailure(errorText(err));
      onFailure(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="details-heading" class="panel">
      <h2 id="details-heading">Name and time zone</h2>
      <form class="stack" onSubmit={(e) => void save(e)}>
        <label for="profile-name">Name</label>
        <input id="profile-name" name="name" type="text" required maxLength={200} value={user.name} />
        <label for="profile-zone">Time zone</label>
        <select id="profile-zone" name="time_zone" value={user.time_zone}>
          {timeZones(user.time_zone).map((zone) => (
            <option key={zone} value={zone}>
              {zone}
            </option>
          ))}
        </select>
        <p class="hint">Schedules and shifts are shown to you in this zone.</p>
        <ErrorMessage text={failure} />
        <p class="status" role="status">
          {notice}
        </p>
        <button type="submit" disabled={busy}>
          {busy ? 'Saving…' : 'Save'}
        </button>
      </form>
    </section>
  );
}

export function ProfilePage({ session, onFailure }: PageProps) {
  const [user, setUser] = useState<User | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const userId = session.user?.id;

  const reload = useCallback(async () => {
    if (!userId) return;
    try {
      setUser(await call(api.GET('/users/{id}', { params: { path: { id: userId } } })));
      setFailure(null);
    } catch (err) {
      setFailure(errorText(err));
      onFailure(err);
    }
  }, [userId, onFailure]);

  useEffect(() => void reload(), [reload]);

  return (
    <>
      <PageTitle>Profile</PageTitle>
      <ErrorMessage text={failure} />
      {!userId ? (
        <p>An API key has no profile; sign in as a person to see yours.</p>
      ) : user === null ? (
        <p>Loading your profile…</p>
      ) : (
        <div class="profile">
          <DetailsSection user={user} onSaved={setUser} onFailure={onFailure} />
          <ContactMethodsSection methods={user.contact_methods} onChanged={reload} onFailure={onFailure} />
          <ApiKeysSection session={session} onFailure={onFailure} />
          <PasswordSection hasPassword={user.has_password} onFailure={onFailure} />
        </div>
      )}
    </>
  );
}
