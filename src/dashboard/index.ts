/** The read-only web dashboard over a study store (`l2lab dashboard`). */
export { exposureWarning, startDashboard, type Dashboard, type DashboardOptions } from './server.js';
export { listStudyRows, studyDetail, type EvidenceView, type RefitView, type Selection, type StudyDetail, type StudyRow, type StudyStatus, type TrialView } from './views.js';
