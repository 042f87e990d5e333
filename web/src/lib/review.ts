// What the quiz review shows next to each option: whether the student chose
// it and, once answers are revealed, whether it is right. Marked with words
// and a tick or cross, not colour alone.

export interface ChoiceOption {
  id: string
  text: string
}
/** The parts of a review item (lms-core `ReviewItem`) this needs. */
export interface ReviewItemLike {
  question: { points: number; body: { kind: string; options?: ChoiceOption[] } }
  answer?: { kind: string; value?: unknown } | null
  score?: { status: 'scored'; points: number } | { status: 'pending_manual' } | null
  correct?: { kind: string; option?: string; options?: string[]; value?: unknown } | null
}

/**
 * `chosen_correct`: the student chose it and it is right; `chosen_wrong`: chose
 * it and it is wrong; `missed`: right but not chosen; `chosen`: chosen, answers
 * not revealed; `plain`: none of these.
 */
export type OptionMark = 'chosen_correct' | 'chosen_wrong' | 'missed' | 'chosen' | 'plain'

export interface OptionRow extends ChoiceOption {
  mark: OptionMark
}

const CHOICE_KINDS = ['single_choice', 'multiple_choice', 'true_false']
export const isChoice = (kind: string) => CHOICE_KINDS.includes(kind)

function mark(chosen: boolean, right: boolean | null): OptionMark {
  if (right === null) return chosen ? 'chosen' : 'plain'
  if (chosen) return right ? 'chosen_correct' : 'chosen_wrong'
  return right ? 'missed' : 'plain'
}

/**
 * The options of a choice question (single, multiple, true/false) with their
 * marks, or `null` for other kinds. `labels` names the true/false options.
 */
export function optionRows(item: ReviewItemLike, labels: { true: string; false: string }): OptionRow[] | null {
  const body = item.question.body
  if (!isChoice(body.kind)) return null
  const given = item.answer?.kind === body.kind ? item.answer.value : undefined
  const correct = item.correct?.kind === body.kind ? item.correct : null
  if (body.kind === 'true_false') {
    return [true, false].map((v) => ({
      id: String(v),
      text: v ? labels.true : labels.false,
      mark: mark(given === v, correct ? correct.value === v : null),
    }))
  }
  const chosen = new Set<string>(
    body.kind === 'single_choice' ? (typeof given === 'string' ? [given] : []) : Array.isArray(given) ? given.filter((x): x is string => typeof x === 'string') : [],
  )
  const right = correct ? new Set<string>(body.kind === 'single_choice' ? (correct.option ? [correct.option] : []) : (correct.options ?? [])) : null
  return (body.options ?? []).map((o) => ({ ...o, mark: mark(chosen.has(o.id), right ? right.has(o.id) : null) }))
}

/** A question's result in words: all points, none, some, or waiting for a teacher. */
export type Verdict = 'right' | 'wrong' | 'partial' | 'pending'

export function verdict(item: ReviewItemLike): Verdict | null {
  const s = item.score
  if (!s) return null
  if (s.status !== 'scored') return 'pending'
  if (s.points >= item.question.points) return 'right'
  return s.points <= 0 ? 'wrong' : 'partial'
}
