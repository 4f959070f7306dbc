/** Small pieces the pages share. */
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { errorText, type Session } from './api/client.js';
import { BASE, navigate } from './router.js';

/** What every page behind the shell is given: who is signed in, and where a failed call goes (a 401 signs out). */
export interface PageProps {
  session: Session;
  onFailure: (err: unknown) => void;
}

/**
 * Runs `load` when the page opens (and again if `load` changes: pass a stable function) and returns its
 * answer, or the failure's text, which also goes to onFailure.
 */
export function useLoaded<T>(
  load: () => Promise<T>,
  onFailure: (err: unknown) => void,
): { data: T | null; failure: string | null } {
  const [data, setData] = useState<T | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  useEffect(() => {
    load().then(setData, (err: unknown) => {
      setFailure(errorText(err));
      onFailure(err);
    });
  }, [load, onFailure]);
  return { data, failure };
}

/** A link to a console page: a real address, followed without a reload (unless opened elsewhere). */
export function Link({
  to,
  current = false,
  children,
}: {
  to: string;
  current?: boolean;
  children: ComponentChildren;
}) {
  return (
    <a
      href={to ? `${BASE}/${to}` : BASE}
      aria-current={current ? 'page' : undefined}
      onClick={(e) => {
        if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}

/**
 * A page's heading: sets the document title and takes the focus when the page opens, so a screen
 * reader announces where a navigation led and the keyboard continues from there. A form page leaves
 * the focus to its first field instead (typing the login is the first thing anyone does there).
 */
export function PageTitle({ children, takeFocus = true }: { children: string; takeFocus?: boolean }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${children} · Klaxon`;
    if (takeFocus) ref.current?.focus();
  }, [children, takeFocus]);
  return (
    <h1 ref={ref} tabIndex={-1}>
      {children}
    </h1>
  );
}

/**
 * An error the user should read at once (announced by screen readers as it appears); `id` lets the
 * field it is about point at it (aria-errormessage).
 */
export function ErrorMessage({ text, id }: { text: string | null; id?: string }) {
  return (
    <p class="error" role="alert" id={id}>
      {text ?? ''}
    </p>
  );
}

/**
 * Like useLoaded, for a section that changes what it shows: `reload` loads again (after a create or a
 * delete), clearing the failure once a load answers; `setFailure` shows a failed action's reason there.
 */
export function useReloadable<T>(
  load: () => Promise<T>,
  onFailure: (err: unknown) => void,
): {
  data: T | null;
  failure: string | null;
  setFailure: (text: string | null) => void;
  reload: () => Promise<void>;
} {
  const [data, setData] = useState<T | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const reload = useCallback(async () => {
    try {
      setData(await load());
      setFailure(null);
    } catch (err) {
      setFailure(errorText(err));
      onFailure(err);
    }
  }, [load, onFailure]);
  useEffect(() => void reload(), [reload]);
  return { data, failure, setFailure, reload };
}

/**
 * A labelled text-like input in a column with its hint under it (described by it); `extra` carries the
 * rest of the input's attributes (aria-invalid when the form's error is about it, maxLength, list).
 */
export function Field({
  id,
  label,
  type = 'text',
  value,
  hint,
  extra = {},
  onInput,
}: {
  id: string;
  label: string;
  type?: 'text' | 'datetime-local' | 'time';
  value: string;
  hint?: ComponentChildren;
  extra?: Record<string, unknown>;
  onInput: (value: string) => void;
}) {
  return (
    <div class="stack">
      <label for={id}>{label}</label>
      <input
        id={id}
        // Preact's types tell input kinds apart by their attributes; these take the same ones.
        type={type as 'text'}
        value={value}
        aria-describedby={hint ? `${id}-hint` : undefined}
        {...extra}
        onInput={(e) => onInput(e.currentTarget.value)}
      />
      {hint ? (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
    </div>
  );
}
