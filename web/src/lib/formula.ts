// Formulas in published rich text (#17): the server stores each as its
// LaTeX source (`<span class="ql-formula" data-value="…">`); KaTeX
// typesets them in the browser (no external fetch: its fonts are bundled),
// loaded only when a text holds a formula.

/**
 * Whether a formula stands alone in its paragraph: then it is a block
 * formula, centred and typeset at display size (Quill's formula is inline;
 * a teacher makes a block one by putting it on a line of its own).
 */
export function standsAlone(span: Element): boolean {
  const parent = span.parentElement
  if (!parent || parent.tagName !== 'P') return false
  return Array.from(parent.childNodes).every((n) => n === span || (n.nodeType === 3 && !n.textContent?.trim()) || (n.nodeType === 1 && (n as Element).tagName === 'BR'))
}

/** Typesets every formula under `root` (already typeset ones are skipped). */
export async function typesetFormulas(root: ParentNode, blocks = true): Promise<void> {
  const spans = Array.from(root.querySelectorAll<HTMLElement>('span.ql-formula[data-value]')).filter((s) => !s.dataset.typeset)
  if (!spans.length) return
  const [{ default: katex }] = await Promise.all([import('katex'), import('katex/dist/katex.min.css')])
  for (const span of spans) {
    const displayMode = blocks && standsAlone(span)
    katex.render(span.getAttribute('data-value') ?? '', span, { throwOnError: false, errorColor: '#b02a37', output: 'htmlAndMathml', displayMode })
    if (displayMode) span.classList.add('formula-block')
    span.dataset.typeset = '1'
  }
}

/** A piece of an option's text: plain text, or a formula's LaTeX source. */
export interface MathSegment {
  math: boolean
  text: string
}

/**
 * Splits a plain text (a quiz option, a matching side, an ordering item)
 * into text and formulas written between dollar signs: `$x^2$`. A dollar
 * sign next to a space on its inner side is no delimiter (`5 $ each`), and
 * `\$` is a literal dollar. Nothing here is HTML: the text stays text.
 */
export function mathSegments(text: string): MathSegment[] {
  const out: MathSegment[] = []
  let plain = ''
  let i = 0
  while (i < text.length) {
    const c = text[i]
    if (c === '\\' && text[i + 1] === '$') {
      plain += '$'
      i += 2
      continue
    }
    if (c === '$' && text[i + 1] !== undefined && text[i + 1] !== ' ' && text[i + 1] !== '$') {
      let j = i + 1
      while (j < text.length && !(text[j] === '$' && text[j - 1] !== '\\')) j++
      if (j < text.length && text[j - 1] !== ' ') {
        if (plain) out.push({ math: false, text: plain })
        plain = ''
        out.push({ math: true, text: text.slice(i + 1, j) })
        i = j + 1
        continue
      }
    }
    plain += c
    i++
  }
  if (plain) out.push({ math: false, text: plain })
  return out
}
