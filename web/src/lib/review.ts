// What the quiz review shows next to each option: whether the student chose
// it and, once answers are revealed, whether it is right. Marked with words
// and a tick or cross, not colour alone.
import type { Choice, ReviewItem, StudentQuestion } from '../api/types'

export type ChoiceOption = Choice
/** The parts of a review item (`ReviewItem` of `GET /attempts/{id}/review`) this needs. */
export type ReviewItemLike = Pick<ReviewItem, 'answer' | 'score' | 'correct'> & { question: Pick<StudentQuestion, 'points' | 'body'> }

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
  const given: unknown = item.answer?.kind === body.kind ? item.answer.value : undefined
  const correct = item.correct?.kind === body.kind ? item.correct : null
  if (body.kind === 'true_false') {
    const right = correct?.kind === 'true_false' ? correct.value : null
    return [true, false].map((v) => ({
      id: String(v),
      text: v ? labels.true : labels.false,
      mark: mark(given === v, right === null ? null : right === v),
    }))
  }
  const chosen = new Set<string>(
    body.kind === 'single_choice' ? (typeof given === 'string' ? [given] : []) : Array.isArray(given) ? given.filter((x): x is string => typeof x === 'string') : [],
  )
  const rightIds = correct?.kind === 'single_choice' ? [correct.option] : correct?.kind === 'multiple_choice' ? correct.options : []
  const right = correct ? new Set<string>(rightIds.filter((x) => !!x)) : null
  const options = 'options' in body ? body.options : []
  return options.map((o) => ({ ...o, mark: mark(chosen.has(o.id), right ? right.has(o.id) : null) }))
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
