/** The shell: sign-in, header with navigation, live status, theme and sign-out, the routed page. */

import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { onUnauthorized, storedKey, storeKey } from './api';
import { Link } from './components/ui';
import { liveState, onLiveState, startEvents, stopEvents, type LiveState } from './events';
import { dismissNotice, useNotices } from './hooks';
import { ClusterPage } from './pages/cluster-page';
import { JobEditorPage } from './pages/job-editor-page';
import { JobPage } from './pages/job-page';
import { JobsPage } from './pages/jobs-page';
import { LoginPage } from './pages/login-page';
import { RunPage } from './pages/run-page';
import { parseRoute, paths, useLocation, type Route } from './router';
import { nextTheme, storedTheme, applyTheme, type Theme } from './theme';

const LIVE_TEXT: Record<LiveState, string> = {
  connecting: 'connecting…',
  live: 'live',
  reconnecting: 'reconnecting…',
  off: 'offline',
};

function LiveIndicator(): JSX.Element {
  const [state, setState] = useState(liveState());
  useEffect(() => onLiveState(setState), []);
  return (
    <span
      class={`live live-${state}`}
      role="status"
      title="Live updates from the server's event stream"
      data-live={state}
    >
      <span class="live-dot" aria-hidden="true" /> {LIVE_TEXT[state]}
    </span>
  );
}

function ThemeToggle(): JSX.Element {
  const [theme, setTheme] = useState<Theme>(storedTheme());
  const label = theme === 'auto' ? 'Theme: system' : theme === 'dark' ? 'Theme: dark' : 'Theme: light';
  return (
    <button
      type="button"
      class="icon-button"
      aria-label={`${label} (change)`}
      title={label}
      onClick={() => {
        const t = nextTheme(theme);
        applyTheme(t);
        setTheme(t);
      }}
    >
      <span aria-hidden="true">{theme === 'auto' ? '◐' : theme === 'dark' ? '☾' : '☀'}</span>
      <span class="theme-name">{theme === 'auto' ? 'system' : theme}</span>
    </button>
  );
}

function Notices(): JSX.Element {
  const notices = useNotices();
  return (
    <div class="notices" role="status" aria-live="polite">
      {notices.map((n) => (
        <div key={n.id} class={`notice notice-${n.kind}`}>
          <span>{n.text}</span>
          <button type="button" class="icon-button" aria-label="Dismiss" onClick={() => dismissNotice(n.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}

const TITLES: Record<Route['page'], string> = {
  jobs: 'Jobs',
  new: 'New job',
  job: 'Job',
  edit: 'Edit job',
  run: 'Run',
  cluster: 'Cluster',
  notFound: 'Not found',
};

function Page({ route }: { route: Route }): JSX.Element {
  switch (route.page) {
    case 'jobs':
      return <JobsPage />;
    case 'new':
      return <JobEditorPage id={null} />;
    case 'edit':
      return <JobEditorPage key={route.id} id={route.id} />;
    case 'job':
      return <JobPage key={route.id} id={route.id} />;
    case 'run':
      return <RunPage key={route.id} id={route.id} />;
    case 'cluster':
      return <ClusterPage />;
    default:
      return (
        <main id="main">
          <h1>Not found</h1>
          <p>
            Nothing at <code>{route.path}</code>. <Link href={paths.jobs()}>Go to the jobs</Link>.
          </p>
        </main>
      );
  }
}

export function App(): JSX.Element {
  const [key, setKey] = useState(storedKey());
  const [loginMessage, setLoginMessage] = useState<{ text: string; error: boolean } | null>(null);
  const { path } = useLocation();
  const route = parseRoute(path);

  useEffect(() => {
    onUnauthorized((message) => {
      storeKey(null);
      stopEvents();
      setLoginMessage({ text: message, error: true });
      setKey(null);
    });
  }, []);

  useEffect(() => {
    if (!key) return;
    startEvents();
    return () => stopEvents();
  }, [key]);

  useEffect(() => {
    if (route.page !== 'edit' && route.page !== 'new') document.title = `${TITLES[route.page]} · sked`;
  }, [route.page]);

  if (!key)
    return (
      <>
        <LoginPage
          message={loginMessage}
          onLogin={(k) => {
            storeKey(k);
            setLoginMessage(null);
            setKey(k);
          }}
        />
        <Notices />
      </>
    );

  const current = (page: Route['page'][]): 'page' | undefined =>
    page.includes(route.page) ? 'page' : undefined;
  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <Link href={paths.jobs()} class="brand">
          <span class="logo" aria-hidden="true">
            ◷
          </span>{' '}
          sked
        </Link>
        <nav aria-label="Main">
          <Link href={paths.jobs()} aria-current={current(['jobs', 'job', 'edit', 'run'])}>
            Jobs
          </Link>
          <Link href={paths.newJob()} aria-current={current(['new'])}>
            New job
          </Link>
          <Link href={paths.cluster()} aria-current={current(['cluster'])}>
            Cluster
          </Link>
        </nav>
        <div class="topbar-tools">
          <LiveIndicator />
          <ThemeToggle />
          <button
            type="button"
            onClick={() => {
              storeKey(null);
              stopEvents();
              setLoginMessage({ text: 'Signed out. The key was removed from this tab.', error: false });
              setKey(null);
            }}
          >
            Sign out
          </button>
        </div>
      </header>
      <Page route={route} />
      <Notices />
    </>
  );
}
