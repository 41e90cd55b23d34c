//! Every text the model sees, compiled in from `prompts/` so that a prompt change is a reviewable
//! diff of a text file, never a string buried in code.
