// The rich-text editor's texts in the UI language and its image insertion.
// Quill's snow theme is English: its toolbar has no titles, and the link
// box ("Enter link:", "Save", "Edit", "Remove") and the heading picker
// ("Normal", "Heading 1") are CSS `content`. The toolbar gets titles and
// aria-labels here; the CSS texts come from custom properties (see
// RichEditor.vue) and `data-label` attributes.

/** A translation function (`t` of vue-i18n). */
export type Translate = (key: string) => string

/** Toolbar controls (CSS selector inside the toolbar) and their label keys. */
export const TOOLBAR_LABELS: ReadonlyArray<readonly [string, string]> = [
  ['.ql-header .ql-picker-label', 'editor.heading'],
  ['button.ql-bold', 'editor.bold'],
  ['button.ql-italic', 'editor.italic'],
  ['button.ql-underline', 'editor.underline'],
  ['button.ql-list[value="ordered"]', 'editor.list_ordered'],
  ['button.ql-list[value="bullet"]', 'editor.list_bullet'],
  ['button.ql-link', 'editor.link'],
  ['button.ql-image', 'editor.image'],
  ['button.ql-video', 'editor.video'],
  ['button.ql-formula', 'editor.formula'],
  ['button.ql-code-block', 'editor.code'],
  ['button.ql-blockquote', 'editor.quote'],
  ['button.ql-clean', 'editor.clean'],
]

/** The heading picker's items by `data-value` ("" is plain text). */
const HEADING_ITEMS: Record<string, string> = { '1': 'editor.heading_1', '2': 'editor.heading_2', '3': 'editor.heading_3', '': 'editor.normal' }

/** Gives every toolbar control a title and an aria-label in the UI language. */
export function labelToolbar(toolbar: HTMLElement, t: Translate): void {
  for (const [selector, key] of TOOLBAR_LABELS) {
    for (const el of Array.from(toolbar.querySelectorAll<HTMLElement>(selector))) {
      el.title = t(key)
      el.setAttribute('aria-label', t(key))
    }
  }
  // The picker shows `data-label` instead of its English CSS text; the
  // label takes the selected item's (Quill copies it on a change).
  for (const picker of Array.from(toolbar.querySelectorAll<HTMLElement>('.ql-picker.ql-header'))) {
    for (const item of Array.from(picker.querySelectorAll<HTMLElement>('.ql-picker-item'))) {
      const key = HEADING_ITEMS[item.getAttribute('data-value') ?? '']
      if (!key) continue
      item.setAttribute('data-label', t(key))
      item.setAttribute('aria-label', t(key))
      item.title = t(key)
    }
    const selected = picker.querySelector<HTMLElement>('.ql-picker-item.ql-selected') ?? picker.querySelector<HTMLElement>('.ql-picker-item:not([data-value])')
    const label = picker.querySelector<HTMLElement>('.ql-picker-label')
    const text = selected?.getAttribute('data-label')
    if (label && text) label.setAttribute('data-label', text)
  }
}

/** A CSS string literal (for `content: var(--…)`). */
export function cssString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\a ')}"`
}

/** The custom properties the link box's CSS texts are read from. */
export function tooltipVars(t: Translate): Record<string, string> {
  return {
    '--lms-ql-visit': cssString(t('editor.link_visit')),
    '--lms-ql-enter-link': cssString(t('editor.link_enter')),
    '--lms-ql-enter-video': cssString(t('editor.video_enter')),
    '--lms-ql-enter-formula': cssString(t('editor.formula_enter')),
    '--lms-ql-edit': cssString(t('editor.link_edit')),
    '--lms-ql-save': cssString(t('editor.link_save')),
    '--lms-ql-remove': cssString(t('editor.link_remove')),
  }
}

/** The part of a Quill instance that inserts an image. */
export interface ImageTarget {
  insertEmbed(index: number, type: string, value: string, source: 'user'): unknown
  setSelection(index: number, length: number, source: 'user'): unknown
  /** Sets the image's `alt` (Quill's image keeps `alt`, `width` and `height`). */
  formatText?(index: number, length: number, name: string, value: string, source: 'user'): unknown
}

/** An image's text alternative from its file name: "parabola_graph.png" → "parabola graph" (#16). */
export function altFromFileName(name: string): string {
  return name.replace(/\.[^.]*$/, '').replace(/[_\-.]+/g, ' ').trim()
}

/** Inserts an image at `index` (with an `alt` from the file's name, when
 *  given) and puts the caret after it (not before). */
export function insertImage(quill: ImageTarget, index: number, url: string, fileName?: string): void {
  quill.insertEmbed(index, 'image', url, 'user')
  const alt = fileName ? altFromFileName(fileName) : ''
  if (alt) quill.formatText?.(index, 1, 'alt', alt, 'user')
  quill.setSelection(index + 1, 0, 'user')
}
