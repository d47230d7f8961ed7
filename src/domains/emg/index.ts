/** The EMG domain's computation: parse recordings, describe them, analyse them. */
export { parseRecording } from './parse-recording';
export { recordingMetadata, RECORDING_FORMATS, type Recording, type RecordingFormat, type RecordingMetadata } from './recording';
export { analyzeRecording, MIN_WINDOW_MS, MAX_WINDOW_MS, type ChannelAnalysis, type RecordingAnalysis } from './signal/analyze';
export { generateDemoRecording, type DemoRecordingOptions } from './demo';
export { readC3d, type C3dFile } from './c3d/reader';
