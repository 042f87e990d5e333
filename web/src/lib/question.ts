// The question form of the quiz builder and the question bank
// (components/QuestionEditor.vue): every kind's fields at once, and the
// question body (lms-core `QuestionBody`) the chosen kind makes of them.
import type { QuestionBody, QuestionKind } from '../api/types'
import { uuid } from './uuid'

/** The kinds a question can be (a random slot is made in its own form). */
export type EditableKind = Exclude<QuestionKind, 'random'>
export const KINDS: EditableKind[] = ['single_choice', 'multiple_choice', 'true_false', 'short_text', 'numeric', 'matching', 'ordering', 'essay']

/** A question as the editor takes it and gives it back. */
export interface EditedQuestion {
  /** Empty for a new question. */
  id: string
  prompt: string
  points: number
  body: QuestionBody
  explanation: string | null
}

export type Opt = { id: string; text: string; correct?: boolean }
/** The form; a number input's model is '' while empty. */
export interface QuestionForm {
  id: string
  kind: EditableKind
  prompt: string
  points: number | string
  explanation: string
  options: Opt[]
  tf: boolean
  accepted: string
  value: number | string
  tolerance: number | string
  pairs: { l: string; r: string }[]
  items: string[]
}

/** An empty form of `kind`. */
export const blankForm = (kind: EditableKind = 'single_choice'): QuestionForm => ({
  id: '', kind, prompt: '', points: 1, explanation: '',
  options: [{ id: uuid(), text: '', correct: true }, { id: uuid(), text: '', correct: false }],
  tf: true, accepted: '', value: 0, tolerance: 0, pairs: [{ l: '', r: '' }, { l: '', r: '' }], items: ['', ''],
})

/** The body the form's kind makes of its fields. */
export function formBody(f: QuestionForm): QuestionBody {
  switch (f.kind) {
    case 'single_choice': return { kind: f.kind, options: f.options.map((o) => ({ id: o.id, text: o.text })), correct: f.options.find((o) => o.correct)?.id ?? f.options[0]?.id }
    case 'multiple_choice': return { kind: f.kind, options: f.options.map((o) => ({ id: o.id, text: o.text })), correct: f.options.filter((o) => o.correct).map((o) => o.id) }
    case 'true_false': return { kind: f.kind, correct: f.tf }
    case 'short_text': return { kind: f.kind, accepted: f.accepted.split('\n').map((x) => x.trim()).filter(Boolean) }
    case 'numeric': return { kind: f.kind, value: Number(f.value), tolerance: Number(f.tolerance) }
    case 'matching': return { kind: f.kind, pairs: f.pairs.map((p) => ({ left: { id: uuid(), text: p.l }, right: { id: uuid(), text: p.r } })) }
    case 'ordering': return { kind: f.kind, items: f.items.map((t) => ({ id: uuid(), text: t })) }
    default: return { kind: 'essay' }
  }
}

/** The form showing a question; `null` for a random slot (not a question). */
export function questionForm(q: EditedQuestion): QuestionForm | null {
  const b = q.body
  if (b.kind === 'random') return null
  const f = blankForm(b.kind)
  f.id = q.id
  f.prompt = q.prompt
  f.points = q.points
  f.explanation = q.explanation ?? ''
  if (b.kind === 'single_choice') f.options = b.options.map((o) => ({ ...o, correct: b.correct === o.id }))
  if (b.kind === 'multiple_choice') f.options = b.options.map((o) => ({ ...o, correct: b.correct.includes(o.id) }))
  if (b.kind === 'true_false') f.tf = b.correct
  if (b.kind === 'short_text') f.accepted = b.accepted.join('\n')
  if (b.kind === 'numeric') {
    f.value = b.value
    f.tolerance = b.tolerance
  }
  if (b.kind === 'matching') f.pairs = b.pairs.map((p) => ({ l: p.left.text, r: p.right.text }))
  if (b.kind === 'ordering') f.items = b.items.map((i) => i.text)
  return f
}

/** What the form saves. */
export function editedQuestion(f: QuestionForm): EditedQuestion {
  return { id: f.id, prompt: f.prompt, points: Number(f.points), body: formBody(f), explanation: f.explanation || null }
}
