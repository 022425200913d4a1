package lint

// Model lints the text of a model alone; name is the file name problems
// carry. The enforcer uses it so that a model the linter flags is refused
// at load time with the same FILE:LINE messages.
func Model(name string, src []byte) []Problem {
	mf := scanModel(name, src)
	checkModel(mf)
	if len(mf.probs.list) == 0 {
		if _, err := loadModel(src); err != nil {
			mf.probs.add(1, "casbin cannot load the model: %v", err)
		}
	}
	return mf.probs.sorted()
}
