// A plain simpleRNN reading 300 time steps: the gradient that reaches the first steps is
// vanishingly small, so the network cannot learn long-range dependencies. An LSTM or GRU
// (gated recurrence) is the usual repair.
const tf = require('@tensorflow/tfjs');

const TIME_STEPS = 300;
const FEATURES = 8;

const model = tf.sequential();
model.add(tf.layers.simpleRNN({ units: 32, inputShape: [TIME_STEPS, FEATURES], activation: 'tanh' }));
model.add(tf.layers.dense({ units: 1, activation: 'sigmoid' }));
model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });

module.exports = { model };
