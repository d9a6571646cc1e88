import Learning
