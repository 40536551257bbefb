# Text classifier: vocabulary size from a tokenizer the parser cannot run (a hole), Bidirectional.
from tensorflow.keras.preprocessing.text import Tokenizer
from tensorflow.keras.models import Sequential
from tensorflow.keras.layers import Embedding, Bidirectional, LSTM, Dense
import math

tokenizer = Tokenizer(num_words=5000)
vocab_size = len(tokenizer.word_index) + 1
maxlen = 100
model = Sequential()
model.add(Embedding(vocab_size, 64, input_length=maxlen))
model.add(Bidirectional(LSTM(int(math.sqrt(1024)))))
model.add(Dense(1, activation='sigmoid'))
model.compile(loss='binary_crossentropy', optimizer='adam')
