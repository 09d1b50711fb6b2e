/**
 * Names of Mattermost's built-in ("system") emoji that a custom emoji may not take.
 *
 * PARTIAL: Mattermost's own table (`model.SystemEmojis`, generated from the web app's emoji data)
 * holds several thousand names and aliases; this carries only the ~150 most used ones — faces,
 * hands, hearts and the usual reaction set. A custom emoji named after a rarer system emoji is
 * therefore accepted here where Mattermost would refuse it with `model.emoji.system_emoji_name.app_error`.
 */
export const SYSTEM_EMOJI_NAMES: ReadonlySet<string> = new Set([
  // faces
  'grinning', 'smiley', 'smile', 'grin', 'laughing', 'satisfied', 'sweat_smile', 'rofl', 'rolling_on_the_floor_laughing',
  'joy', 'slightly_smiling_face', 'upside_down_face', 'wink', 'blush', 'innocent', 'heart_eyes', 'star-struck',
  'kissing_heart', 'kissing', 'relaxed', 'yum', 'stuck_out_tongue', 'stuck_out_tongue_winking_eye', 'zany_face',
  'stuck_out_tongue_closed_eyes', 'money_mouth_face', 'hugging_face', 'hugs', 'shushing_face', 'thinking_face', 'thinking',
  'zipper_mouth_face', 'face_with_raised_eyebrow', 'neutral_face', 'expressionless', 'no_mouth', 'smirk', 'unamused',
  'face_with_rolling_eyes', 'roll_eyes', 'grimacing', 'lying_face', 'relieved', 'pensive', 'sleepy', 'sleeping', 'mask',
  'nauseated_face', 'sneezing_face', 'hot_face', 'cold_face', 'woozy_face', 'dizzy_face', 'exploding_head', 'cowboy_hat_face',
  'partying_face', 'sunglasses', 'nerd_face', 'face_with_monocle', 'confused', 'worried', 'slightly_frowning_face',
  'frowning_face', 'open_mouth', 'hushed', 'astonished', 'flushed', 'pleading_face', 'frowning', 'anguished', 'fearful',
  'cold_sweat', 'disappointed_relieved', 'cry', 'sob', 'scream', 'confounded', 'persevere', 'disappointed', 'sweat', 'weary',
  'tired_face', 'yawning_face', 'triumph', 'rage', 'pout', 'angry', 'smiling_imp', 'imp', 'skull', 'hankey', 'poop', 'shit',
  'clown_face', 'ghost', 'alien', 'robot', 'robot_face', 'see_no_evil', 'hear_no_evil', 'speak_no_evil',
  // hearts and symbols
  'heart', 'broken_heart', 'two_hearts', 'sparkling_heart', 'heartpulse', 'heartbeat', 'revolving_hearts', 'orange_heart',
  'yellow_heart', 'green_heart', 'blue_heart', 'purple_heart', 'black_heart', 'white_heart', '100', 'boom', 'collision',
  'dizzy', 'zzz', 'fire', 'star', 'star2', 'sparkles', 'zap', 'tada', 'confetti_ball', 'white_check_mark', 'heavy_check_mark',
  'x', 'warning', 'no_entry', 'question', 'exclamation', 'rocket', 'eyes', 'brain', 'coffee', 'beer', 'beers', 'pizza', 'cake',
  'gift', 'trophy', 'bulb', 'memo', 'rainbow', 'sunny',
  // hands
  'wave', 'raised_hand', 'hand', 'ok_hand', 'v', 'crossed_fingers', 'metal', 'call_me_hand', 'point_left', 'point_right',
  'point_up', 'point_up_2', 'point_down', '+1', 'thumbsup', '-1', 'thumbsdown', 'fist', 'facepunch', 'punch', 'clap',
  'raised_hands', 'open_hands', 'handshake', 'pray', 'muscle', 'shrug', 'face_palm',
]);

export function isSystemEmojiName(name: string): boolean {
  return SYSTEM_EMOJI_NAMES.has(name);
}
