import { createTheme, darken, DEFAULT_THEME, type CSSVariablesResolver, type MantineColorsTuple } from '@mantine/core';

/**
 * Shade 9 of each colour is both the text of light badges and links (on white and on shade 1)
 * and, with primaryShade 9, the fill behind white text. Mantine's 9 of these is under the
 * 4.5:1 of WCAG AA (teal 4.3, green 3.8, orange 3.6, yellow 2.7 on shade 1): darken just that shade.
 */
const darkenNine: Record<string, number> = { red: 0.05, teal: 0.05, green: 0.15, orange: 0.15, lime: 0.2, yellow: 0.3 };

const colors = Object.fromEntries(
  Object.entries(darkenNine).map(([name, by]) => {
    const shades = [...DEFAULT_THEME.colors[name]!];
    shades[9] = darken(shades[9]!, by);
    return [name, shades as unknown as MantineColorsTuple];
  }),
);

export const theme = createTheme({
  primaryColor: 'teal',
  // Filled buttons and links in teal 9: white on teal 6 read at 2.5:1.
  primaryShade: 9,
  colors,
  defaultRadius: 'md',
  // Dialogs, menus and notifications appear at once for people who ask their system for less motion.
  respectReducedMotion: true,
  // Plain objects, not `Modal.extend(…)`: importing the components here would put them (and the date pickers) in the patient pages' bundle too.
  components: {
    // Mantine's close button is an icon: give it a name screen readers and keyboard users can find.
    Modal: { defaultProps: { closeButtonProps: { 'aria-label': 'Close' } } },
    // A badge in a narrow table cell keeps its whole word rather than an ellipsis.
    Badge: { styles: { root: { minWidth: 'max-content' } } },
    // The clear × of a field is an icon too.
    DateInput: { defaultProps: { clearButtonProps: { 'aria-label': 'Clear date' } } },
    Select: { defaultProps: { clearButtonProps: { 'aria-label': 'Clear' } } },
    MultiSelect: { defaultProps: { clearButtonProps: { 'aria-label': 'Clear' } } },
  },
});

/** Dimmed text in gray 7: Mantine's gray 6 (#868e96) is 3.3:1 on white. */
export const cssVariablesResolver: CSSVariablesResolver = (t) => ({
  variables: {},
  light: { '--mantine-color-dimmed': t.colors.gray[7]! },
  dark: {},
});
