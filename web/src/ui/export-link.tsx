import { Button } from '@mantine/core';

/**
 * "Export CSV": a plain download link to a list's export.csv (the browser
 * streams the file to disk; the session cookie authenticates it). `label`
 * names the list for screen readers when a page has several.
 */
export function ExportLink({ href, label }: { href: string; label?: string }) {
  return (
    <Button component="a" href={href} download variant="default" size="xs" aria-label={label ? `Export CSV of ${label}` : undefined}>
      Export CSV
    </Button>
  );
}
