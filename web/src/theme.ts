/**
 * Light and dark: the system's preference (prefers-color-scheme) unless the viewer picks one with the
 * toggle; the choice is kept in local storage (it is not a secret) and set as `data-theme` on <html>.
 */

export type Theme = 'auto' | 'light' | 'dark';

const ITEM = 'sked.theme';

export function storedTheme(): Theme {
  const t = localStorage.getItem(ITEM);
  return t === 'light' || t === 'dark' ? t : 'auto';
}

export function applyTheme(theme: Theme): void {
  if (theme === 'auto') {
    localStorage.removeItem(ITEM);
    delete document.documentElement.dataset['theme'];
  } else {
    localStorage.setItem(ITEM, theme);
    document.documentElement.dataset['theme'] = theme;
  }
}

/** system → light → dark → system. */
export function nextTheme(theme: Theme): Theme {
  return theme === 'auto' ? 'light' : theme === 'light' ? 'dark' : 'auto';
}
