// A course's question bank: its questions in categories with tags, import
// from GIFT, Aiken and CSV with a preview, export to GIFT (tag `bank`).
import { client, ok, done } from './client'
import type { BankImportReport, BankImportRequest, BankQuestionRequest, QueryOf } from './types'

const course = (course_id: string) => ({ path: { course_id } })
const question = (bank_question_id: string) => ({ params: { path: { bank_question_id } } })

export const bank = {
  /** `GET /courses/{id}/bank` (the course's teacher and admins): a page of questions, the bank's size and categories. */
  list: (courseId: string, query: QueryOf<'/api/v1/courses/{course_id}/bank'> = {}) =>
    ok(client.GET('/api/v1/courses/{course_id}/bank', { params: { ...course(courseId), query } })),
  create: (courseId: string, body: BankQuestionRequest) => ok(client.POST('/api/v1/courses/{course_id}/bank', { params: course(courseId), body })),
  /** `PUT /bank/{id}`: `body.version` is the version the edit started from (`409 stale` when saved meanwhile). */
  update: (id: string, body: BankQuestionRequest) => ok(client.PUT('/api/v1/bank/{bank_question_id}', { ...question(id), body })),
  remove: (id: string) => done(client.DELETE('/api/v1/bank/{bank_question_id}', question(id))),
  /** `POST /courses/{id}/bank/import`: with `dryRun` only what would be created and the lines that cannot be. */
  importText: (courseId: string, body: BankImportRequest, dryRun: boolean): Promise<BankImportReport> =>
    ok(client.POST('/api/v1/courses/{course_id}/bank/import', { params: { ...course(courseId), query: { dry_run: dryRun } }, body })),
  /** `GET /courses/{id}/bank/export`: the questions the filter selects as a GIFT file's text. */
  exportGift: (courseId: string, query: QueryOf<'/api/v1/courses/{course_id}/bank/export'> = {}) =>
    ok(client.GET('/api/v1/courses/{course_id}/bank/export', { params: { ...course(courseId), query }, parseAs: 'text' })),
}
