/** Sign-in with an API key: checked against the API, then kept in session storage for this tab only. */

import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { api, ApiError, messageOf, UNAUTHORIZED_MESSAGE } from '../api';
import type { SchedulerStatus } from '../types';

/** `message`: why the form is shown (an error after a refused key, or plain information after signing out). */
export function LoginPage({
  message,
  onLogin,
}: {
  message: { text: string; error: boolean } | null;
  onLogin: (key: string) => void;
}): JSX.Element {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(message?.error ? message.text : null);
  const info = message && !message.error && !error ? message.text : null;
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    const k = key.trim();
    if (!k) {
      setError('Enter an API key.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await api<SchedulerStatus>('GET', '/scheduler', { key: k });
      onLogin(k);
    } catch (err) {
      setError(
        err instanceof ApiError && err.status === 401
          ? UNAUTHORIZED_MESSAGE
          : `Could not sign in: ${messageOf(err)}`,
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" class="login">
      <form
        class="card login-card"
        onSubmit={(e) => void submit(e)}
        aria-describedby={error ? 'login-error' : undefined}
      >
        <h1>
          <span class="logo" aria-hidden="true">
            ◷
          </span>{' '}
          sked
        </h1>
        <p>Sign in with an API key.</p>
        <div class="field">
          <label for="api-key">API key</label>
          <input
            id="api-key"
            name="api-key"
            type="password"
            autoComplete="off"
            spellcheck={false}
            value={key}
            onInput={(e) => setKey(e.currentTarget.value)}
            aria-invalid={Boolean(error)}
            aria-describedby="api-key-hint"
          />
          <small id="api-key-hint" class="hint">
            The first start writes an admin key to <code>admin.key</code> in the data folder;{' '}
            <code>sked keys create --role viewer</code> makes more. The key stays in this tab's session
            storage and is forgotten when the tab closes.
          </small>
        </div>
        {info && (
          <p class="muted" role="status">
            {info}
          </p>
        )}
        {error && (
          <p id="login-error" class="error-note" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
