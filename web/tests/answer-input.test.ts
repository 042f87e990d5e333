import { describe, it, expect } from 'vitest'
import { mount } from '@vue/test-utils'
import { createI18n } from 'vue-i18n'
import AnswerInput from '../src/components/AnswerInput.vue'
import type { Answer, StudentQuestionBody } from '../src/api/types'

// The emitted answers must be the serde shape of lms-core's `Answer`:
// `{"kind": "<snake_case>", "value": ...}`.
const i18n = createI18n({ legacy: false, locale: 'ru', messages: { ru: {} }, missingWarn: false, fallbackWarn: false })
const q = (body: StudentQuestionBody) => ({ id: 'q1', position: 0, prompt: '<p>?</p>', points: 1, body })
const mk = (body: StudentQuestionBody, answer?: Answer) => mount(AnswerInput, { props: { question: q(body), answer }, global: { plugins: [i18n], mocks: { $t: (k: string) => k } } })
const opts = [{ id: 'a', text: 'A' }, { id: 'b', text: 'B' }]

describe('answer input emits core Answer JSON', () => {
  it('single choice', async () => {
    const w = mk({ kind: 'single_choice', options: opts })
    await w.findAll('input[type=radio]')[1].trigger('change')
    expect(w.emitted('answer')![0][0]).toEqual({ kind: 'single_choice', value: 'b' })
  })
  it('multiple choice adds and removes ids', async () => {
    const w = mk({ kind: 'multiple_choice', options: opts }, { kind: 'multiple_choice', value: ['a'] })
    const boxes = w.findAll('input[type=checkbox]')
    ;(boxes[1].element as HTMLInputElement).checked = true
    await boxes[1].trigger('change')
    expect(w.emitted('answer')![0][0]).toEqual({ kind: 'multiple_choice', value: ['a', 'b'] })
    ;(boxes[0].element as HTMLInputElement).checked = false
    await boxes[0].trigger('change')
    expect(w.emitted('answer')![1][0]).toEqual({ kind: 'multiple_choice', value: [] })
  })
  it('true/false, short text, numeric and essay', async () => {
    const tf = mk({ kind: 'true_false' })
    await tf.find('[data-test=tf-false]').trigger('click')
    expect(tf.emitted('answer')![0][0]).toEqual({ kind: 'true_false', value: false })
    const st = mk({ kind: 'short_text' })
    await st.find('input').setValue('дискриминант')
    expect(st.emitted('answer')!.at(-1)![0]).toEqual({ kind: 'short_text', value: 'дискриминант' })
    const nu = mk({ kind: 'numeric' })
    await nu.find('input').setValue('3.5')
    expect(nu.emitted('answer')!.at(-1)![0]).toEqual({ kind: 'numeric', value: 3.5 })
    const es = mk({ kind: 'essay' })
    await es.find('textarea').setValue('text')
    expect(es.emitted('answer')!.at(-1)![0]).toEqual({ kind: 'essay', value: 'text' })
  })
  it('matching maps left ids to right ids', async () => {
    const w = mk({ kind: 'matching', left: [{ id: 'l1', text: 'L1' }, { id: 'l2', text: 'L2' }], right: [{ id: 'r1', text: 'R1' }, { id: 'r2', text: 'R2' }] }, { kind: 'matching', value: { l1: 'r2' } })
    await w.findAll('select')[1].setValue('r1')
    expect(w.emitted('answer')![0][0]).toEqual({ kind: 'matching', value: { l1: 'r2', l2: 'r1' } })
  })
  it('ordering moves an item and sends the whole order', async () => {
    const w = mk({ kind: 'ordering', items: [{ id: 'x', text: 'X' }, { id: 'y', text: 'Y' }, { id: 'z', text: 'Z' }] })
    const downOfFirst = w.findAll('li')[0].findAll('button')[1]
    await downOfFirst.trigger('click')
    expect(w.emitted('answer')![0][0]).toEqual({ kind: 'ordering', value: ['y', 'x', 'z'] })
  })
  it('a read-only review emits nothing', async () => {
    const w = mount(AnswerInput, { props: { question: q({ kind: 'true_false' }), readonly: true }, global: { plugins: [i18n], mocks: { $t: (k: string) => k } } })
    await w.find('[data-test=tf-true]').trigger('click')
    expect(w.emitted('answer')).toBeUndefined()
  })
})
