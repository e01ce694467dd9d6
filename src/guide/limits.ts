/** Answers are one WeChat message. */
export const MAX_ANSWER_LENGTH = 600;
