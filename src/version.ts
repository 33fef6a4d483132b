/**
 * synthforge's version, as package.json gives it: recorded in every manifest and printed by
 * `--version`. A module of its own so that the command line's start-up (`--help`, `status`) does not
 * load the dataset writer to learn it.
 */
export const TOOL_VERSION = '0.1.0';
