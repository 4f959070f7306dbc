/** Text shown once to copy (a key, a set-up snippet): a copy button, and selection when the clipboard is refused. */
import { useState } from 'preact/hooks';
import type { Snippet } from '../ingest-snippets.js';

/** A text to copy: a copy button, and the text selected for the keyboard when the clipboard is refused. */
export function CopyButton({ targetId, label }: { targetId: string; label: string }) {
  const [said, setSaid] = useState('');
  const copy = async () => {
    const target = document.getElementById(targetId) as HTMLInputElement | HTMLTextAreaElement | null;
    try {
      await navigator.clipboard.writeText(target?.value ?? '');
      setSaid('Copied.');
    } catch {
      target?.select();
      setSaid('Selected: copy it with your keyboard.');
    }
  };
  return (
    <span class="copy">
      <button type="button" class="secondary" onClick={() => void copy()}>
        {label}
      </button>
      <span class="status" role="status">
        {said}
      </span>
    </span>
  );
}

export function SnippetBlock({ snippet, index }: { snippet: Snippet; index: number }) {
  const id = `snippet-${index}`;
  return (
    <div class="snippet">
      <label for={id}>{snippet.title}</label>
      <textarea
        id={id}
        readOnly
        rows={snippet.text.split('\n').length}
        spellcheck={false}
        value={snippet.text}
      />
      <CopyButton targetId={id} label={`Copy ${snippet.language === 'yaml' ? 'YAML' : 'command'}`} />
    </div>
  );
}
