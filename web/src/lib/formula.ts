// Formulas in published rich text (#17): the server stores each as its
// LaTeX source (`<span class="ql-formula" data-value="…">`); KaTeX
// typesets them in the browser (no external fetch: its fonts are bundled),
// loaded only when a text holds a formula.

/** Typesets every formula under `root` (already typeset ones are skipped). */
export async function typesetFormulas(root: ParentNode): Promise<void> {
  const spans = Array.from(root.querySelectorAll<HTMLElement>('span.ql-formula[data-value]')).filter((s) => !s.dataset.typeset)
  if (!spans.length) return
  const [{ default: katex }] = await Promise.all([import('katex'), import('katex/dist/katex.min.css')])
  for (const span of spans) {
    katex.render(span.getAttribute('data-value') ?? '', span, { throwOnError: false, errorColor: '#b02a37', output: 'htmlAndMathml' })
    span.dataset.typeset = '1'
  }
}
